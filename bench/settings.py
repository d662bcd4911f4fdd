"""The product's settings plus one bare "hello world" view, served by the same server as the baseline."""

from civicgrid.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
