"""Fewer indexes for a rotation to write: a refresh token's parent is its family's previous
generation and was never read, and the two foreign keys are covered by composite indexes that
start with them (one_refresh_token_per_generation; (user, application, revoked_at))."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0007_refresh_family_rotated_at"),
        ("users", "0002_brute_force"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="refreshtoken",
            name="parent",
        ),
        migrations.AlterField(
            model_name="refreshtoken",
            name="family",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tokens",
                to="applications.refreshtokenfamily",
            ),
        ),
        migrations.AlterField(
            model_name="refreshtokenfamily",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="refresh_families",
                to="users.user",
            ),
        ),
    ]
