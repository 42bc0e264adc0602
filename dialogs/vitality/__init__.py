"""The vitality report (« bilan de vitalité »): how alive the community is, for the leads."""
