"""The topics of the strategy's expert and process consulting; staff extend them as data."""

from django.db import migrations

TOPICS = [
    ("age-care", "Alter und Pflege", "Age and care", "expert"),
    ("inclusion", "Inklusion und Barrierefreiheit", "Inclusion and accessibility", "expert"),
    ("children-families", "Kinder und Familien", "Children and families", "expert"),
    ("volunteering", "Bürgerschaftliches Engagement", "Volunteering", "expert"),
    ("participation", "Beteiligungsmethoden", "Participation methods", "expert"),
    ("funding", "Förderung und Finanzierung", "Funding and financing", "expert"),
    ("housing-mobility", "Wohnen und Mobilität", "Housing and mobility", "expert"),
    ("process-start", "Einstieg in den Quartiersprozess", "Starting a quarter process",
     "process"),
    ("workshop", "Moderation von Workshops", "Moderating a workshop", "process"),
    ("strategy-evaluation", "Strategie und Evaluation", "Strategy and evaluation", "process"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("consulting", "Topic")
    for position, (slug, name_de, name_en, kind) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(slug=slug, defaults={
            "name_de": name_de, "name_en": name_en, "kind": kind, "position": position * 10,
        })


class Migration(migrations.Migration):
    dependencies = [("consulting", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
