# Veilleuse as a container image: `make image` (see docs/DEPLOY.md).
#
# The Python packages come from a wheelhouse that `make image` builds first on the build machine
# (build/image-wheels: the bot's wheel plus its *runtime* dependencies, at the versions of
# requirements.lock.txt; no test or lint tools). The image build itself therefore needs no
# network access and installs exactly what was checked.
#
# BASE_IMAGE: any Debian 12 (bookworm) image with Python 3.11 and its venv module, e.g. the
# official slim Python image (the default below) or a local one made with `make image-base`.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
COPY build/image-wheels /wheels
RUN python3.11 -m venv /opt/veilleuse \
    && /opt/veilleuse/bin/python -m pip install --no-cache-dir --no-index --find-links /wheels \
        veilleuse \
    && /opt/veilleuse/bin/python -m pip uninstall -y -q pip setuptools

FROM ${BASE_IMAGE}
# A fixed, unprivileged user; the data folder belongs to it.
RUN groupadd --system --gid 10001 veilleuse \
    && useradd --system --uid 10001 --gid veilleuse --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin veilleuse \
    && mkdir -p /app /data \
    && chown veilleuse:veilleuse /data
COPY --from=build /opt/veilleuse /opt/veilleuse
WORKDIR /app
# Same settings as `make run`, except that the bot listens on every interface of the container
# and keeps its data in /data (mount persistent storage there). Every other setting
# (MicrosoftAppId, CDEP_PUBLIC_URL…) is passed with `docker run -e` or the host's configuration.
ENV PATH=/opt/veilleuse/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CDEP_HOST=0.0.0.0 \
    PORT=3978 \
    CDEP_DATA_DIR=/data
USER veilleuse
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=8).status == 200 else 1)"]
CMD ["python", "-m", "bot"]
