"""The command line's shared consoles."""

from __future__ import annotations

import pytest

from facs.cli._common import console, err_console


def test_piped_output_is_not_cut_at_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    text = "use " + "word " * 40 + "--force to redo"
    console.print(text)
    err_console.print(text)
    out, err = capsys.readouterr()
    assert out.strip() == err.strip() == text.strip()


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        ("ParameterError", "--max-faces must be an integer >= 1, got 0"),
        ("InputError", "names: a folder without frames.csv or events.csv"),  # a folder 'names'
        ("InputError", "end: folder holds no images"),
    ],
)
def test_only_argument_errors_get_flag_names(
    error: str, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A library parameter's name becomes its flag; a file called 'names' or 'end' does not."""
    import typer

    import facs._errors
    from facs.cli._common import user_errors

    message = "max_faces must be an integer >= 1, got 0" if error == "ParameterError" else shown
    with pytest.raises(typer.Exit), user_errors():
        raise getattr(facs._errors, error)(message)
    assert f"error: {shown}" in " ".join(capsys.readouterr().err.split())
