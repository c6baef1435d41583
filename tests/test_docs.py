"""The docs stay true to the code: generated tables are current, every command is documented."""

from conftest import PROJECT

from boligdata.cli import build_parser
from boligdata.docs_gen import GENERATED, splice


def test_generated_doc_tables_are_current():
    for name, make in GENERATED.items():
        text = (PROJECT / "docs" / name).read_text(encoding="utf-8")
        assert splice(text, make()) == text, f"docs/{name} is out of date: run python -m boligdata.docs_gen"


def test_example_files_are_current():
    from boligdata.docs_gen import EXAMPLES, example_bytes

    for name in EXAMPLES:
        assert (PROJECT / "docs" / name).read_bytes() == example_bytes(name), f"docs/{name}: run python -m boligdata.docs_gen"


def test_every_command_is_in_the_readme():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"boligdata {name}" in readme, name
    assert "make report" in readme and "make test" in readme


def test_raw_readme_gives_provenance_for_every_file():
    readme = (PROJECT / "raw" / "README.md").read_text(encoding="utf-8")
    for path in (PROJECT / "raw").iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, path.name
