from django.db import migrations


def add(apps, schema_editor):
    from civicgrid.keypersons.catalogue import install

    install(apps.get_model("keypersons", "KeyPersonCategory"))


class Migration(migrations.Migration):
    dependencies = [("keypersons", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
