# The web service, the scheduler and the one-shot migration all run from this image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 app
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
COPY migrations ./migrations
COPY piccolo_conf.py package.json ./
RUN pip install -c constraints.txt . \
    && npm install --no-audit --no-fund --omit=dev \
    && python -m service.web.assets \
    && chown -R app:app /app

USER app
EXPOSE 8000
ENV HOST=0.0.0.0 PORT=8000
CMD ["python", "-m", "service", "serve", "--no-demo", "--no-scheduler"]
