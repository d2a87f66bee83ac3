"""Load the frameworks with capability thresholds: Anthropic RSP 2.2, OpenAI Preparedness
Framework 2, Google DeepMind FSF 3.0 and the EU AI Act's rules for general-purpose AI."""

from django.db import migrations

from riskapp.catalog.services import DATA_DIR, load_framework_file

FILES = ("anthropic-rsp-2.2.yaml", "openai-preparedness-2.yaml", "google-deepmind-fsf-3.0.yaml",
         "eu-ai-act-gpai-2025.yaml")

VERSION_SLUGS = ("anthropic-rsp-2.2", "openai-preparedness-2", "google-deepmind-fsf-3.0", "eu-ai-act-gpai-2025")
NEW_FRAMEWORK_SLUGS = ("openai-preparedness", "google-deepmind-fsf", "eu-ai-act-gpai")


def load_frameworks(apps, schema_editor):
    for name in FILES:
        load_framework_file(DATA_DIR / name, apps=apps)


def unload_frameworks(apps, schema_editor):
    FrameworkVersion = apps.get_model("catalog", "FrameworkVersion")
    Framework = apps.get_model("catalog", "Framework")
    FrameworkVersion.objects.filter(slug__in=VERSION_SLUGS).delete()
    Framework.objects.filter(slug__in=NEW_FRAMEWORK_SLUGS, versions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_capability_thresholds")]

    operations = [migrations.RunPython(load_frameworks, unload_frameworks)]
