from django.utils.translation import gettext_lazy as _

from civicgrid.core.registry import Manifest, Sweep, register
from civicgrid.prints import services

manifest = register(Manifest(name="prints", label=_("Prints"), sweeps=[Sweep("prints", services.sweep)]))
