import time, datetime as dt
from civicgrid.core import paths
from civicgrid.registry.models import Resident
from civicgrid.territory.models import Territory, Level
def test_t(db):
    t=time.time()
    objs=[Territory(path="0009" + paths.segment(g), level=Level.GRID, code=f"9{g:014d}", name=f"g{g}") for g in range(1, 3001)]
    t1=time.time()
    Territory.objects.bulk_create(objs)
    t2=time.time()
    objs=[Resident(territory_path="0009" + paths.segment(g%100+1) + paths.segment(1), name=f"r{g}", gender="male", birth_date=dt.date(1980, 1, 1)) for g in range(5000)]
    t3=time.time()
    Resident.objects.bulk_create(objs)
    t4=time.time()
    print(t1-t, t2-t1, t3-t2, t4-t3)
    assert 0
