"""The two blueprints of surveys: the signed-in screens under /surveys, and the anonymous phone
form under the short public link /t/<token>."""
from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
public_bp = Blueprint("surveys_public", __name__)
