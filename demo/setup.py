"""The embedded default's own package: the demo settings and the demo course's container and problem blocks."""
from setuptools import find_packages, setup

setup(
    name="honorcode-demo",
    version="0.1.0",
    description="The honor code demo: xblock-sdk workbench settings and a small course to gate.",
    packages=find_packages(),
    python_requires=">=3.11",
    entry_points={
        "xblock.v1": [
            "demo_course = honorcode_demo.blocks:DemoCourse",
            "demo_subsection = honorcode_demo.blocks:DemoSubsection",
            "demo_unit = honorcode_demo.blocks:DemoUnit",
            "demo_problem = honorcode_demo.blocks:DemoProblem",
        ],
    },
)
