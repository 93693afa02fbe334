"""Refresh tokens: the family records when it last rotated (`rotated_at`), and tokens no longer
carry `used_at`. A token is spent when its family's generation is past its own, and the
immediate predecessor's overlap period runs from the family's `rotated_at`, so an exchange
writes one family row and inserts one token instead of also updating the spent one
(issue 11 section 6). Existing families take `rotated_at` from their newest token's
`issued_at`, the moment its parent was spent."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_rotated_at(apps, schema_editor):
    family = apps.get_model("applications", "RefreshTokenFamily")
    token = apps.get_model("applications", "RefreshToken")
    newest = token.objects.filter(family=OuterRef("pk"), generation=OuterRef("generation"))
    family.objects.filter(generation__gt=1).update(
        rotated_at=Subquery(newest.values("issued_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_refresh_token_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="refreshtokenfamily",
            name="rotated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_rotated_at, migrations.RunPython.noop),
        migrations.RemoveField(model_name="refreshtoken", name="used_at"),
    ]
