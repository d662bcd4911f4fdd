from django.db import migrations


def add(apps, schema_editor):
    from civicgrid.cases.catalogue import install

    install(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
