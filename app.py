"""WSGI entry point: `gunicorn app:server`, or `python app.py` for a local development server."""

from dashboard.factory import create_app
from dashboard.settings import Settings

settings = Settings.from_env()
app = create_app(settings)
server = app.server

if __name__ == "__main__":
    app.run(host=settings.host, port=settings.port, debug=settings.debug)
