"""Each refresh token keeps the digest its child will have, so the server recognises that
child when a database crash lost the rotation that issued it
(applications/refresh_token_recovery.py). Existing tokens get an empty one: they are rotated
synchronously, so their rotations cannot be lost."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_slimmer_refresh_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="refreshtoken",
            name="child_digest",
            field=models.CharField(
                blank=True, db_default="", default="", editable=False, max_length=64
            ),
        ),
    ]
