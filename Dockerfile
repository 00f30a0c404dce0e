# volnyja-bot: docker build -t volnyja-bot . && docker run -d --env-file .env -v volnyja-data:/data volnyja-bot
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 volnyja && mkdir /data && chown volnyja /data

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY migrations ./migrations
RUN pip install --no-deps .
COPY content ./content

USER volnyja
ENV DATABASE_URL=sqlite+aiosqlite:////data/bot.db \
    CONTENT_DIR=/app/content
VOLUME /data

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["volnyja-bot", "health"]
STOPSIGNAL SIGTERM
CMD ["volnyja-bot", "run"]
