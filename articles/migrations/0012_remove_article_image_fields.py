"""Drop the lead-image columns that 0011 moved into the media library."""

from django.db import migrations

MOVED = [
    "image",
    "image_alt",
    "image_credit",
    "image_focal_x",
    "image_focal_y",
    "image_height",
    "image_width",
]


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_media_library")]

    operations = [
        *(
            migrations.RemoveField(model_name="article", name=name)
            for name in [*MOVED, "image_renditions"]
        ),
        *(
            migrations.RemoveField(model_name="historicalarticle", name=name)
            for name in MOVED
        ),
    ]
