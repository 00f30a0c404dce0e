# volnyja-bot: docker build -t volnyja-bot . && docker run -d --env-file .env -v volnyja-data:/data volnyja-bot
# podman keeps the HEALTHCHECK only with: podman build --format docker -t volnyja-bot .
# Needs BuildKit (Docker 23+ by default) or buildah/podman for RUN --mount.

FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1


# The project as a wheel, built here so that build/, *.egg-info and the sources stay behind.
FROM base AS builder
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY migrations ./migrations
RUN pip wheel --no-deps --wheel-dir /wheels .


FROM base
WORKDIR /app
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin volnyja \
    && mkdir /data && chown volnyja:volnyja /data

# Dependencies from the hashed lock only: this layer is rebuilt when requirements.lock changes,
# not when pyproject.toml or the code does. Refresh the lock with ./dev.sh lock.
RUN --mount=type=bind,source=requirements.lock,target=/tmp/requirements.lock \
    pip install --require-hashes -r /tmp/requirements.lock

# The wheel is mounted from the builder, not copied: no second copy of the code in a layer.
# pip check: the lock holds everything the project asks for.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-deps /wheels/*.whl && pip check

COPY content ./content

USER 10001:10001
ENV DATABASE_URL=sqlite+aiosqlite:////data/bot.db \
    CONTENT_DIR=/app/content
VOLUME /data

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["volnyja-bot", "health"]
STOPSIGNAL SIGTERM
CMD ["volnyja-bot", "run"]
