"""Every model carries its PII annotation and every setting its annotation (code-annotations, Open edX format)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE_ANNOTATIONS = str(Path(sys.executable).parent / "code_annotations")


def run(*args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "honorcode_demo.settings"}
    result = subprocess.run([CODE_ANNOTATIONS, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("app_name, models", [
    ("honorcode_xblock", 15),  # the product
    ("honorcode_xblock.platform.standalone", 3),  # the standalone platform's enrollments, certificates, overrides
])
def test_every_model_has_a_valid_pii_annotation(app_name, models):
    code, output = run("django_find_annotations", "--config_file", ".pii_annotations.yml", "--lint", "--report",
                       "--coverage", "--app_name", app_name)
    assert code == 0, output
    assert f"{models} were eligible for annotation, {models} were annotated." in output
    assert "Coverage is 100.0%" in output


def test_every_setting_annotation_is_valid():
    code, output = run("static_find_annotations", "--config_file", ".setting_annotations.yml", "--lint", "--report")
    assert code == 0, output
    assert "Linting passed without errors." in output
    code_lines = [
        line for path in (REPO / "honorcode_xblock").rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    mentioned = {
        name for line in code_lines if not line.strip().startswith("#")
        for name in re.findall(r'"(HONORCODE_[A-Z_]+)"', line)
    }
    annotated = {
        re.split(r"[\[\s]", line.split(":", 1)[1].strip())[0]
        for line in code_lines if ".. setting_name:" in line or ".. toggle_name:" in line
    }
    assert mentioned == annotated
    assert {"HONORCODE_PLATFORM", "HONORCODE_STANDALONE_COURSE_KEY", "HONORCODE_GATE_ENABLED",
            "HONORCODE_GATE_COURSES", "HONORCODE_STANDALONE_WORKBENCH_USERS"} <= annotated
