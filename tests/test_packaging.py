"""
The package as operators get it: build the wheel, install it into a clean virtual environment, render the block.

The check script runs outside the checkout, so only the installed wheel can answer.
"""
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parent.parent
EXPECTED_FILES = [
    "honorcode_xblock/static/css/honorcode.css",
    "honorcode_xblock/static/js/common.js",
    "honorcode_xblock/static/js/honorcode.js",
    "honorcode_xblock/static/js/studio.js",
    "honorcode_xblock/static/html/student_view.html",
    "honorcode_xblock/static/html/studio_view.html",
    "honorcode_xblock/static/html/pledge.html",
    "honorcode_xblock/static/html/placeholder.html",
    "honorcode_xblock/static/html/notice.html",
    "honorcode_xblock/data/honor_code_v1.html",
    "honorcode_xblock/migrations/0001_initial.py",
    "honorcode_xblock/migrations/0002_default_honor_code.py",
    "honorcode_xblock/migrations/0004_cases_and_audit_chain.py",
    "honorcode_xblock/migrations/0007_drop_standalone_platform_tables.py",
    "honorcode_xblock/platform/standalone/apps.py",
    "honorcode_xblock/platform/standalone/models.py",
    "honorcode_xblock/platform/standalone/platform.py",
    "honorcode_xblock/platform/standalone/migrations/0001_initial.py",
    "honorcode_xblock/templates/honorcode_xblock/policy.html",
    "honorcode_xblock/templates/honorcode_xblock/staff/case.html",
    "honorcode_xblock/templates/honorcode_xblock/email/determination_body.txt",
    "honorcode_xblock/templates/honorcode/edx_ace/determination/email/subject.txt",
    "honorcode_xblock/templates/mako/honorcode_xblock/honorcode.html",
    "honorcode_xblock/rest/views.py",
    "honorcode_xblock/management/commands/verify_honor_code_audit.py",
]

CHECK_SCRIPT = r'''
import json, sys
import django
from django.conf import settings

# the block renders on the standalone platform (no HONORCODE_PLATFORM set), which brings its own app and tables
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "honorcode_xblock",
                    "honorcode_xblock.platform.standalone"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    USE_TZ=True,
)
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)

import honorcode_xblock
from opaque_keys.edx.keys import CourseKey
from xblock.core import XBlock
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData, NullI18nService
from xblock.test.toy_runtime import ToyRuntime

class Users(UserService):
    def get_current_user(self):
        user = XBlockUser(is_current_user=True)
        user.opt_attrs["xblock-workbench.user_id"] = "packaged-learner"
        return user

runtime = ToyRuntime()
runtime._services.update({"field-data": KvsFieldData(DictKeyValueStore()), "i18n": NullI18nService(),
                          "user": Users()})
runtime.local_resource_url = lambda block, uri: uri
block_class = XBlock.load_class("honorcode")
key = CourseKey.from_string("course-v1:Pkg+Test+2026").make_usage_key("honorcode", "pledge")
block = runtime.construct_xblock_from_class(block_class, ScopeIds("u", "honorcode", key, key))
fragment = block.student_view({})
assets = {}
for resource in fragment.resources:
    if resource.kind == "url":
        with block_class.open_local_resource(resource.data) as handle:
            assets[resource.data] = len(handle.read())
print(json.dumps({
    "module": honorcode_xblock.__file__,
    "html_has_policy": "Version 1" in fragment.content and "Your own work." in fragment.content,
    "init": fragment.js_init_fn,
    "assets": assets,
}))
'''


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO))
    (path,) = out.glob("honorcode_xblock-*.whl")
    return path


def test_wheel_carries_static_files_data_and_migrations(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    missing = [name for name in EXPECTED_FILES if name not in names]
    assert missing == []
    assert "honorcode = honorcode_xblock:HonorCodeXBlock" in entry_points
    assert "honorcode = honorcode_xblock.apps:HonorCodeConfig" in entry_points
    assert not any(name.startswith(("tests/", "demo/")) for name in names)


def test_sdist_carries_the_same_static_files(tmp_path):
    run(sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(REPO))
    (path,) = tmp_path.glob("honorcode_xblock-*.tar.gz")
    with tarfile.open(path) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert [name for name in EXPECTED_FILES if name.startswith("honorcode_xblock/static/") and name not in names] == []


def test_the_checkout_ships_real_files_not_links():
    """The block's assets are real files in the package folder: no link for a build or a checkout to follow."""
    links = [str(path.relative_to(REPO)) for folder in ("honorcode_xblock", "demo", "tests")
             for path in (REPO / folder).rglob("*") if path.is_symlink()]
    assert links == [] and not (REPO / "static").exists()


def test_installed_wheel_renders_the_block_with_its_assets(wheel, tmp_path):
    venv = tmp_path / "venv"
    # nothing of the checkout: with it on PYTHONPATH, pip would take its egg-info for the package already installed
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    run(sys.executable, "-m", "venv", str(venv), env=env)
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "-q", str(wheel), env=env)
    script = tmp_path / "check.py"
    script.write_text(CHECK_SCRIPT, encoding="utf-8")
    result = json.loads(run(str(python), str(script), cwd=tmp_path, env=env).stdout.strip().splitlines()[-1])
    assert result["module"].startswith(str(venv))
    assert result["html_has_policy"] is True
    assert result["init"] == "HonorCodeXBlock"
    assert set(result["assets"]) == {"static/css/honorcode.css", "static/js/common.js", "static/js/honorcode.js"}
    assert all(size > 500 for size in result["assets"].values())
    # the detection command comes with the wheel; without the optional extra it says what to install
    detect = subprocess.run([str(venv / "bin" / "honorcode-detect"), "no-such.log"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert detect.returncode == 2 and "honorcode-xblock[detection]" in detect.stderr
