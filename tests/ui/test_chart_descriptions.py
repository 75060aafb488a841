"""A chart's figures as text: what a screen reader says instead of "Vega visualization"."""

from ui import charts


def test_a_status_chart_reads_its_counts() -> None:
    chart = charts.proposals_by_status(
        {"draft": 3, "eligible": 2}, {"draft": "草稿", "eligible": "合格"}
    )
    assert chart.to_dict()["description"] == "草稿: 3; 合格: 2"


def test_money_by_source_reads_each_source_in_order() -> None:
    rows: list[dict[str, object]] = [
        {"source": "街道拨款", "yuan": 90000, "government": True},
        {"source": "居民众筹", "yuan": 1250, "government": False},
    ]
    spec = charts.money_by_source(rows, yuan="元").to_dict()
    assert spec["description"] == "街道拨款: 90000; 居民众筹: 1250"


def test_a_layered_result_chart_reads_support_and_outcome() -> None:
    rows: list[dict[str, object]] = [
        {"title": "充电棚", "support": 40, "won": True},
        {"title": "花园", "support": 12, "won": False},
    ]
    spec = charts.live_result(rows, won="入选", lost="未入选").to_dict()
    assert spec["description"] == "充电棚: 40, 入选; 花园: 12, 未入选"
