"""The dashboard: figures for a period, charts drawn on the server as inline SVG."""
from __future__ import annotations

from typing import Any, Mapping

from aiohttp import web

from lotse.console.charts import horizontal_bars, vertical_bars
from lotse.console.dashboard import figures
from lotse.console.filters import parse_filters, time_range
from lotse.console.queue import STATUS_LABELS, STATUSES
from lotse.console.web import ROLES_ALL, console, render, view

DASHBOARD_DAYS = 30


@view(*ROLES_ALL)
def dashboard(request: web.Request, form: Mapping[str, Any]) -> web.Response:
    state = console(request)
    today = state.now().astimezone(state.zone).date()
    query = dict(request.query)
    if "from" not in query:
        query["from"] = (today.fromordinal(today.toordinal() - DASHBOARD_DAYS + 1)).isoformat()
    filters, problems = parse_filters(query, today)
    start, end = time_range(filters, state.zone)
    numbers = figures(state.app_engine, state.tracker_engine, start, end, state.zone)
    days = [(day.strftime("%d.%m."), float(n)) for day, n in numbers.per_day]
    per_day = vertical_bars(days, label_every=max(1, len(days) // 10))
    intents = horizontal_bars([(name, float(n)) for name, n in numbers.top_intents],
                              css=["bar-warn" if name == "nlu_fallback" else "" for name, _ in numbers.top_intents])
    thumbs = horizontal_bars([("Daumen hoch", float(numbers.thumbs["up"])), ("Daumen runter", float(numbers.thumbs["down"]))],
                             css=["bar-good", "bar-warn"])
    office_totals = [(state.office_names.get(o, o), float(sum(s.values()))) for o, s in numbers.callbacks.items()]
    return render(request, "dashboard.html", filters=filters, problems=problems, numbers=numbers, per_day=per_day,
                  intents=intents, thumbs=thumbs, offices=horizontal_bars(office_totals),
                  statuses=STATUSES, status_labels=STATUS_LABELS)


def register(router: web.UrlDispatcher) -> None:
    router.add_get("/dashboard", dashboard)
