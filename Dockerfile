# Partner Ops: the same image runs every process of the Procfile (compose.yaml says which).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LOG_FORMAT=json \
    PORT=3000

WORKDIR /app

# Installed as the README says, from the lock file; editable, because migrations are read
# from the checkout beside the package (bot/db/migrate.py).
COPY requirements.lock pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
RUN pip install --no-cache-dir -r requirements.lock -e . \
    && useradd --create-home --uid 10001 --user-group partnerops

# Never root at run time; the code stays root-owned, so the process cannot change it.
USER 10001:10001

EXPOSE 3000
# /healthz answers 200 while the database answers, 503 while the process is stopping.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=2)"]

# SIGTERM drains (requests, listeners, the round under way) within 10 s: give it 30.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "serve"]
