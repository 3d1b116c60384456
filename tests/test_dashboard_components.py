"""The accessible building blocks of dashboards.components: charts' figures in words, native selects."""

from __future__ import annotations

from dashboards.components import describe, select
from dashboards.theme import Figure, empty_figure


def test_a_bar_chart_in_words_names_each_trace_and_point() -> None:
    figure = Figure()
    figure.add_bar(x=["Stalled", "On track"], y=[3, 12], name="Schools")
    figure.add_scatter(x=["2025-spring", "2026-spring"], y=[3.25, None], name="EE")
    assert describe(figure, "en") == ["Schools: Stalled: 3, On track: 12", "EE: 2025-spring: 3.25"]


def test_a_box_plot_in_words_gives_each_box_its_median_range_and_count() -> None:
    figure = Figure()
    figure.add_trace(type="box", x=["A", "A", "A", "B"], y=[2.0, 4.0, 3.0, 1.5], name="Schools")
    assert describe(figure, "en") == ["A: median 3.00, from 2.00 to 4.00 (3 schools)", "B: median 1.50, from 1.50 to 1.50 (1 schools)"]
    assert describe(figure, "pl")[0] == "A: mediana 3.00, od 2.00 do 4.00 (liczba szkół: 3)"


def test_an_empty_chart_in_words_says_why() -> None:
    assert describe(empty_figure("No survey yet."), "en") == ["No survey yet."]


def test_a_select_shows_its_everything_choice_for_the_empty_value() -> None:
    # dbc.Select's own hidden placeholder option is what the browser shows for "": it must read as our "" choice
    chosen = select("area", [("", "All areas"), ("A", "A Leadership")], "")
    assert chosen.placeholder == "All areas"
    assert chosen.options == [{"value": "", "label": "All areas"}, {"value": "A", "label": "A Leadership"}]
    assert select("round", [("2026-spring", "2026-spring")], "2026-spring").placeholder == ""
