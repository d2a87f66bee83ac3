"""Load the bundled benchmark definitions and their rule-out and rule-in zones."""

from django.db import migrations

from riskapp.catalog.services import DATA_DIR, load_benchmark_file


def load_benchmarks(apps, schema_editor):
    load_benchmark_file(DATA_DIR / "benchmarks.yaml", apps=apps)


def unload_benchmarks(apps, schema_editor):
    # Results protect their benchmark; the schema migration before this one drops both tables anyway.
    apps.get_model("catalog", "EvaluationResult").objects.all().delete()
    apps.get_model("catalog", "Benchmark").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_benchmarks_profiles_results")]

    operations = [migrations.RunPython(load_benchmarks, unload_benchmarks)]
