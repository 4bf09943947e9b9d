# A production image: the app on PostgreSQL (set VAA_DATABASE_URL) or on an SQLite volume.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY vaa ./vaa
COPY api ./api
COPY frontend ./frontend
COPY migrations ./migrations
COPY questionnaires ./questionnaires
COPY parties ./parties
RUN pip install --no-cache-dir -e . && useradd --create-home vaa && mkdir /data && chown vaa /data
USER vaa
ENV VAA_DATABASE_URL=sqlite:////data/vaa.db
EXPOSE 8000
CMD ["vaa", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
