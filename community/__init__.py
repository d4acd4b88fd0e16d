"""Project 8's community models: communication teams, Leaders of Change clubs, trusted addresses,
their activities (with a monthly grid and a workbook import), their indicators and the period
report "Báo cáo kết quả thực hiện Dự án 8".

Published for other packages: ``community.indicators`` (figure definitions, per-unit counts and
drill-downs, see its docstring) and the models in ``community.models``.
"""
from __future__ import annotations


def init_app(app) -> None:
    from community import models  # noqa: F401  (tables known to the metadata and to Alembic)
    from community import api  # noqa: F401  (declares the API endpoints before app.api registers them)
    from community.cli import community_cli
    from community.demo import load_demo
    from community.views import bp

    from community.indicators import register as register_indicators

    app.register_blueprint(bp)
    register_indicators(app)  # the figures on the core dashboard, through the provider interface
    app.cli.add_command(community_cli)
    app.extensions.setdefault("caunoi_demo", []).append(load_demo)
