"""What a meeting leaves behind: « ce qu'on retient », members' takeaways, follow-ups."""
