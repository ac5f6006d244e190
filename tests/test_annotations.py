"""Every model carries its PII annotation and every setting its annotation (code-annotations, Open edX format)."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODE_ANNOTATIONS = str(Path(sys.executable).parent / "code_annotations")


def run(*args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "honorcode_demo.settings"}
    result = subprocess.run([CODE_ANNOTATIONS, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_every_model_has_a_valid_pii_annotation():
    code, output = run("django_find_annotations", "--config_file", ".pii_annotations.yml", "--lint", "--report",
                       "--coverage", "--app_name", "honorcode_xblock")
    assert code == 0, output
    assert "5 were eligible for annotation, 5 were annotated." in output
    assert "Coverage is 100.0%" in output


def test_every_setting_annotation_is_valid():
    code, output = run("static_find_annotations", "--config_file", ".setting_annotations.yml", "--lint", "--report")
    assert code == 0, output
    assert "Linting passed without errors." in output
    source = "".join(path.read_text(encoding="utf-8") for path in (REPO / "honorcode_xblock").rglob("*.py"))
    read = {name for name in ("HONORCODE_PLATFORM", "HONORCODE_STANDALONE_COURSE_KEY") if name in source}
    annotated = {line.split(":", 1)[1].strip() for line in source.splitlines() if ".. setting_name:" in line}
    assert read == annotated == {"HONORCODE_PLATFORM", "HONORCODE_STANDALONE_COURSE_KEY"}
