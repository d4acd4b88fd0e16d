"""Features plug into the core through one list (FEATURES) and the core's interfaces: their
``init_app``, their ``<feature>/api.py`` endpoints and their indicator provider. A third feature,
written here as a throw-away package, joins the API, its document and the dashboard by being
appended to the list, and leaves an application built before it unchanged."""
from __future__ import annotations

import sys
import textwrap
from datetime import date

import pytest

from app import create_app
from app.api import indicators as api_indicators
from app.api import openapi
from app.api import blueprint as api_blueprint
from app.config import FEATURES
from app.indicators import figures, providers
from app.indicators.dashboard import compute_dashboard
from app.indicators.figures import Figure
from app.indicators.periods import Period

NAME = "caunoi_third_feature"

PACKAGE = {
    "__init__.py": '''
        def init_app(app):
            from app.indicators import register_provider
            from caunoi_third_feature.indicators import provider

            register_provider(provider)
    ''',
    "api.py": '''
        from app.api.blueprint import api_user, route
        from app.api.openapi import Answer


        @route("/third/hello", summary="Hello", tag="third",
               answers={200: Answer("The user's name.", {"type": "object"})})
        def third_hello():
            return {"user": api_user().username}, 200
    ''',
    "indicators.py": '''
        from flask_babel import lazy_gettext as _l

        from app.indicators import Contribution, IndicatorProvider
        from app.indicators.figures import Figure


        class ThirdIndicators(IndicatorProvider):
            name = "caunoi_third_feature"
            figures = (Figure("third_meetings", _l("Cuộc họp"), "third", "count"),)
            record_keys = ("third_meetings",)

            def compute(self, unit, period, today, row_of):
                rows = {path: {"third_meetings": 1} for path in dict.fromkeys(row_of.values())}
                return Contribution(rows=rows, total={"third_meetings": len(row_of)},
                                    sections=[("meetings", "third_meetings_by_place", [{"place": unit.code}])])


        provider = ThirdIndicators()
    ''',
}


@pytest.fixture
def third_feature(tmp_path, monkeypatch):
    package = tmp_path / NAME
    package.mkdir()
    for filename, source in PACKAGE.items():
        (package / filename).write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = (list(openapi.OPERATIONS), dict(openapi.SCHEMAS), list(api_blueprint._VIEWS),
             dict(api_blueprint._BY_ENDPOINT), dict(providers._PROVIDERS), dict(figures.FIGURES))
    yield NAME
    for target, before in zip((openapi.OPERATIONS, openapi.SCHEMAS, api_blueprint._VIEWS, api_blueprint._BY_ENDPOINT,
                               providers._PROVIDERS, figures.FIGURES), saved):
        if isinstance(target, list):
            target[:] = before
        else:
            target.clear()
            target.update(before)
    api_indicators.describe_figures()
    for module in [m for m in sys.modules if m == NAME or m.startswith(NAME + ".")]:
        del sys.modules[module]


def test_the_factory_loads_the_configured_features_in_order(app):
    assert app.config["FEATURES"] == list(FEATURES) == ["surveys", "dialogues", "community"]
    assert {"surveys", "dialogues", "community"} <= set(app.blueprints)
    assert [p.name for p in providers.providers()] == ["surveys", "dialogues", "community"]


def test_each_endpoint_is_declared_in_its_own_package(app):
    modules = {app.view_functions[op.endpoint].__module__ for op in openapi.OPERATIONS}
    assert modules == {"app.api.units", "app.api.indicators", "app.api.meta", "surveys.api", "dialogues.api",
                       "dialogues.follow_up.api", "community.api"}


def test_a_provider_cannot_take_another_providers_figure(app):
    class Thief(providers.IndicatorProvider):
        name = "thief"
        figures = (Figure("trainings_held", "x", "thief", "count"),)

    with pytest.raises(ValueError, match="trainings_held is already defined by surveys"):
        providers.register_provider(Thief())
    assert "thief" not in {p.name for p in providers.providers()}
    assert figures.FIGURES["trainings_held"].family == "training"


def test_a_third_feature_plugs_in_by_appending_to_the_list(app, db, units, third_feature):
    other = create_app({**{k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED",
                                                      "SECRET_KEY", "STORAGE_DIR", "INSTANCE_DIR")},
                        "FEATURES": [*FEATURES, third_feature]})
    client = other.test_client()
    # Its endpoint joined the API blueprint, behind the token check, and the document.
    assert client.get("/api/v1/third/hello").status_code == 401
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["paths"]["/third/hello"]["get"]["summary"] == "Hello"
    assert document["tags"][-1] == {"name": "trainings"} and {"name": "third"} in document["tags"]
    total = document["components"]["schemas"]["Indicators"]["properties"]["total"]["properties"]
    assert {"third_meetings", "trainings_held", "share_resolved_on_time"} <= set(total)
    # The application built before it is unchanged.
    assert "/api/v1/third/hello" not in {rule.rule for rule in app.url_map.iter_rules()}
    # Its figures join the dashboard after the others, per row and in total, with its section.
    dashboard = compute_dashboard(units["19"], Period("year", date(2025, 1, 1), date(2025, 12, 31)), date(2025, 6, 1))
    assert list(dashboard.total)[-1] == "third_meetings"
    assert dashboard.total["third_meetings"] == 5  # one per unit: Thái Nguyên, 2 communes, 2 villages
    assert [(r.code, r.figures["third_meetings"]) for r in dashboard.rows] == [("02086", 1), ("02020", 1), ("19", 1)]
    assert dashboard.meetings == [{"place": "19"}]
    assert dashboard.to_json()["third_meetings_by_place"] == [{"place": "19"}]
    assert dashboard.total["trainings_held"] == 0 and dashboard.total["dialogues_held"] == 0
