# syntax=docker/dockerfile:1
# lifesize-probe: the agent in a slim image, one container per region.
#
#   docker build -t lifesize-probe .
#   docker run -d --name probe-eu-west -p 127.0.0.1:9464:9464 \
#     -v "$PWD/eu-west.yaml:/etc/lifesize-probe/config.yaml:ro" \
#     -v lifesize-probe-data:/var/lib/lifesize-probe \
#     -e ACME_PROBE_1_PASSWORD lifesize-probe
#
# Secrets come from the environment or from files (password_env / password_file,
# api_key_*, api_token_*; PGPASSWORD for a postgresql:// store), never from the image
# or the config. No Docker engine runs on the project's machines: tests/deploy run
# deploy/docker/install.sh, the entrypoint and the HEALTHCHECK in a fresh virtualenv and
# lint this file with hadolint.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY requirements/build.txt requirements/build.txt
COPY probe/ probe/
COPY deploy/docker/install.sh /tmp/install.sh
RUN sh /tmp/install.sh wheel /src /wheels

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIFESIZE_PROBE_CONFIG=/etc/lifesize-probe/config.yaml \
    PATH=/opt/lifesize-probe/bin:$PATH
COPY --from=wheel /wheels/ /tmp/wheels/
COPY deploy/docker/ /tmp/install/
# The dependencies from the hashed lock (the versions the suite was green with), by uv.
COPY requirements/run.txt requirements/uv.txt /tmp/install/requirements/
RUN sh /tmp/install/install.sh install /opt/lifesize-probe /tmp/wheels /tmp/install/requirements \
    && rm -rf /tmp/wheels /tmp/install \
    && groupadd --system --gid 10001 probe \
    && useradd --system --uid 10001 --gid probe --no-create-home \
       --home-dir /var/lib/lifesize-probe --shell /usr/sbin/nologin probe \
    && mkdir -p /var/lib/lifesize-probe \
    && chown probe:probe /var/lib/lifesize-probe
# listen 0.0.0.0:9464 and the store on the data volume: see the file's comments.
COPY deploy/docker/lifesize-probe.yaml /etc/lifesize-probe/config.yaml

USER 10001:10001
WORKDIR /var/lib/lifesize-probe
VOLUME ["/etc/lifesize-probe", "/var/lib/lifesize-probe"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/opt/lifesize-probe/libexec/healthcheck.py"]
ENTRYPOINT ["lifesize-probe"]
CMD ["run", "--config", "/etc/lifesize-probe/config.yaml"]
