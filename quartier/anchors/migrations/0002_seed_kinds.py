"""The kinds of anchors the strategy names; staff extend the list in the admin."""

from django.db import migrations

KINDS = [
    # slug, German, English, success factor
    ("muetterzentrum", "Mütterzentrum", "Mothers' centre", "institutional_anchor"),
    ("nachbarschaftszentrum", "Nachbarschaftszentrum", "Neighbourhood centre",
     "institutional_anchor"),
    ("kinder-und-familienzentrum", "Kinder- und Familienzentrum", "Children and family centre",
     "institutional_anchor"),
    ("mehrgenerationenhaus", "Mehrgenerationenhaus", "Multi-generation house",
     "institutional_anchor"),
    ("begegnungsstaette", "Begegnungsstätte / Seniorentreff", "Meeting place / senior citizens' club",
     "institutional_anchor"),
    ("jugendhaus", "Jugendhaus", "Youth centre", "institutional_anchor"),
    ("pflegestuetzpunkt", "Pflegestützpunkt", "Care support centre", "support_offer"),
    ("beratungsstelle", "Beratungsstelle", "Counselling centre", "support_offer"),
    ("freiwilligenagentur", "Freiwilligenagentur", "Volunteer agency", "volunteer_coordination"),
    ("barrierefreier-ort", "Barrierefreier öffentlicher Ort (Park, Platz)",
     "Barrier-free public space (park, square)", "barrier_free_space"),
]


def seed(apps, schema_editor):
    AnchorKind = apps.get_model("anchors", "AnchorKind")
    for position, (slug, name_de, name_en, factor) in enumerate(KINDS, start=1):
        AnchorKind.objects.update_or_create(
            slug=slug,
            defaults={"name_de": name_de, "name_en": name_en, "success_factor": factor,
                      "position": position * 10},
        )


def unseed(apps, schema_editor):
    AnchorKind = apps.get_model("anchors", "AnchorKind")
    AnchorKind.objects.filter(slug__in=[k[0] for k in KINDS], anchors__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("anchors", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
