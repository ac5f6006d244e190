"""Packaging for honorcode-xblock: the Honor Code XBlock and its Open edX Django plugin app."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def version():
    match = re.search(r'^__version__ = "([^"]+)"', read("honorcode_xblock", "__init__.py"), re.M)
    return match.group(1)


def requirements(path):
    """Read the loose requirements of a requirements/*.in file (constraints and -r lines are skipped)."""
    lines = (line.split("#", 1)[0].strip() for line in read("requirements", path).splitlines())
    return [line for line in lines if line and not line.startswith(("-c", "-r"))]


def package_files(package, folder):
    """
    Every file under ``<package>/<folder>/``, as package data of ``package`` (paths relative to the package).

    The block's assets live in ``honorcode_xblock/static/`` and are read the same way from a checkout and from the
    installed wheel.
    """
    found = []
    for parent, _dirs, files in os.walk(os.path.join(HERE, package, folder)):
        for name in files:
            found.append(os.path.relpath(os.path.join(parent, name), os.path.join(HERE, package)))
    return sorted(found)

setup(
    name="honorcode-xblock",
    version=version(),
    description="An honor code for every Open edX course: a versioned pledge learners accept, and a plugin app that makes it count.",
    long_description=read("README.md"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    packages=find_packages(include=["honorcode_xblock", "honorcode_xblock.*"]),
    package_data={
        "honorcode_xblock": package_files("honorcode_xblock", "static") + [
            "data/*.html",
            "locale/*/LC_MESSAGES/*",
            "templates/honorcode_xblock/*.html",
            "templates/honorcode_xblock/staff/*.html",
            "templates/honorcode_xblock/email/*",
            "templates/honorcode/edx_ace/determination/email/*",
            "templates/mako/honorcode_xblock/*.html",
        ],
    },
    include_package_data=False,
    python_requires=">=3.11",
    install_requires=requirements("base.in"),
    extras_require={
        # CAMEO detection: ClickHouse's engine in-process (large: pandas, pyarrow and the engine), and the client of a
        # ClickHouse server for sites that run one (Aspects)
        "detection": ["chdb>=4.4", "clickhouse-connect>=0.8"],
    },
    entry_points={
        "console_scripts": ["honorcode-detect = honorcode_xblock.detection.cli:main"],
        "xblock.v1": ["honorcode = honorcode_xblock:HonorCodeXBlock"],
        "lms.djangoapp": ["honorcode = honorcode_xblock.apps:HonorCodeConfig"],
        "cms.djangoapp": ["honorcode = honorcode_xblock.apps:HonorCodeConfig"],
        "openedx.course_tab": ["honorcode_cases = honorcode_xblock.course_tab:HonorCodeCasesTab"],
    },
    classifiers=[
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "License :: OSI Approved :: GNU Affero General Public License v3",
    ],
    zip_safe=False,
)
