"""Tables never show Streamlit's English "None" for an empty cell."""

from streamlit.testing.v1 import AppTest


def _table() -> None:
    from ui.widgets import grid

    grid([{"#": 1, "home": None, "hours": None}, {"#": 2, "home": "平阳一村", "hours": 3}])


def test_an_empty_cell_is_a_dash_and_a_full_column_keeps_its_type() -> None:
    at = AppTest.from_function(_table).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["home"]) == ["–", "平阳一村"]
    assert list(frame["hours"]) == ["–", "3"]
    assert list(frame["#"]) == [1, 2]  # numbers stay numbers, and sort as numbers
