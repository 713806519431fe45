"""Jieyou's HTTP API: this module only creates the app and wires the blueprints."""
from chalice import Chalice

from chalicelib.api import (admin, analytics, articles, auth, cases, citizen, dev, mediation, public,
                            queries, staff)
from chalicelib.adapters.xlsx import XLSX_TYPE
from chalicelib.api.http import error_envelope_middleware

app = Chalice(app_name="jieyou")
app.api.cors = False  # portal, console and API share one origin
app.api.binary_types.append(XLSX_TYPE)  # the summary export (GET /api/staff/matters/export)

app.register_middleware(error_envelope_middleware, "http")
app.register_blueprint(public.bp, url_prefix="/api")
app.register_blueprint(dev.bp, url_prefix="/api")
app.register_blueprint(auth.bp, url_prefix="/api")
app.register_blueprint(staff.bp, url_prefix="/api")
app.register_blueprint(citizen.bp, url_prefix="/api")
app.register_blueprint(cases.bp, url_prefix="/api")
app.register_blueprint(admin.bp, url_prefix="/api")
app.register_blueprint(queries.bp, url_prefix="/api")
app.register_blueprint(articles.bp, url_prefix="/api")
app.register_blueprint(mediation.bp, url_prefix="/api")
app.register_blueprint(analytics.bp, url_prefix="/api")
