"""The monthly analysis page (charts drawn on the server, printable) and its CSV."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from server_sync.console import analysis, charts, queries
from server_sync.console.auth import staff_page
from server_sync.console.web import Page
from server_sync.models import utcnow

router = APIRouter(include_in_schema=False)

MONTHS_SHOWN = 12


def _load(page: Page, end: str, months: str):
    now = utcnow()
    end = analysis.valid_month(end, analysis.current_month(now))
    count = int(months) if months.isdigit() and 2 <= int(months) <= 36 else MONTHS_SHOWN
    return analysis.analyse(page.db, end, count, now), end, count


@router.get("/console/analysis")
def analysis_page(page: Page = Depends(staff_page("analysis")), end: str = "", months: str = ""):
    result, end, count = _load(page, end, months)
    categories, _departments = queries.names(page.db)
    order = [key for key in categories if key in result.categories] + [
        key for key in result.categories if key not in categories
    ]

    def name(key: str) -> str:
        return page.pick(categories[key], "name") if key in categories else key

    volume = charts.stacked_bars(
        page.t("analysis.chart_volume"),
        result.months,
        [
            (name(k), [result.figures[m].by_category.get(k, 0) for m in result.months])
            for k in order
        ],
    )
    figures = [result.figures[m] for m in result.months]
    rates = charts.lines(
        page.t("analysis.chart_rates"),
        result.months,
        [
            (page.t("analysis.completion"), [f.completion_rate for f in figures]),
            (page.t("analysis.on_time"), [f.on_time_share for f in figures]),
            (
                page.t("analysis.satisfaction_share"),
                [None if f.satisfaction is None else f.satisfaction / 5 for f in figures],
            ),
        ],
    )
    shifts = [(name(k), result.shift(k)) for k in order]
    shift_chart = charts.diverging_bars(
        page.t("analysis.chart_shift"),
        [(n, v) for n, v in shifts if v is not None],
        empty=page.t("analysis.shift_empty"),
    )
    return page.render(
        "analysis.html",
        result=result,
        end=end,
        count=count,
        order=order,
        name=name,
        volume=volume,
        rates=rates,
        shift_chart=shift_chart,
        shifts=dict(zip(order, (v for _, v in shifts), strict=True)),
    )


@router.get("/console/analysis.csv")
def analysis_csv(page: Page = Depends(staff_page("analysis")), end: str = "", months: str = ""):
    result, end, count = _load(page, end, months)
    return Response(
        "\ufeff" + analysis.to_csv(result),  # the BOM lets spreadsheet programs read UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="analysis-{end}-{count}m.csv"'},
    )
