FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY cli cli
COPY core core
COPY interviewer interviewer
COPY problems problems
COPY rubrics rubrics
COPY storage storage
COPY web web
RUN pip install . && useradd --create-home --uid 1000 app && mkdir -p /app/data && chown app /app/data

USER app
EXPOSE 8000
ENV HOST=0.0.0.0 PORT=8000 DATA_DIR=/app/data
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["interview", "serve"]
