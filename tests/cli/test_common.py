"""The command line's shared consoles."""

from __future__ import annotations

from pathlib import Path

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
        ("ParameterError", "--max-faces must be an integer from 1 to 100, got 0"),
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

    message = (
        "max_faces must be an integer from 1 to 100, got 0" if error == "ParameterError" else shown
    )
    with pytest.raises(typer.Exit), user_errors():
        raise getattr(facs._errors, error)(message)
    assert f"error: {shown}" in " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize(
    ("args", "hint"),
    [(["code", ""], "INPUT"), (["code", "  "], "INPUT"), (["batch", "a.mp4", ""], "INPUTS")],
)
def test_an_empty_input_path_is_refused_not_read_as_the_current_folder(
    args: list[str], hint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from facs.cli import app

    (tmp_path / "take.png").write_bytes(b"")  # what "." would have found
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "out")], terminal_width=200)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {hint}: an empty path" in result.output
    assert not (tmp_path / "out").exists()
