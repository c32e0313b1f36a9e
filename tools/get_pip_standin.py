"""Offline stand-in for the pip bootstrap script that ansible-test downloads.

ansible-test bootstraps pip into each virtual environment it creates by running
``python get_pip_<version>.py --disable-pip-version-check pip==<version> [--no-setuptools] [--no-wheel]``
with a script it fetches from the internet and caches under ~/.ansible/test/cache/.
Where there is no internet, tools/seed-get-pip.sh copies this file to that cache path.

It does the same job with what is on the machine:

1. ``python -m ensurepip --upgrade`` puts the pip bundled with this Python into the
   environment. It runs in a child process on purpose: ensurepip sets
   PIP_CONFIG_FILE=/dev/null in its own process, which would hide the machine's
   pip configuration (index mirrors, certificates) from the next step.
2. ``python -m pip install <the arguments given>`` brings pip to the version
   ansible-test asked for, through the package index configured for pip. The
   get-pip-only options --no-setuptools and --no-wheel are dropped: pip install
   does not know them, and nothing is installed that was not asked for anyway.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def run(command):
    """Run a command, exiting with its status when it fails."""
    sys.stderr.write("get-pip stand-in: %s\n" % " ".join(command))
    sys.stderr.flush()
    status = subprocess.call(command)
    if status:
        sys.exit(status)


def main():
    run([sys.executable, "-m", "ensurepip", "--upgrade"])
    arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    if any(not arg.startswith("-") for arg in arguments):
        run([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    main()
