"""Site pages (issue 17): about, contact, terms of use, privacy policy and the
corrections policy, which editors edit in the admin, in Arabic and English.

The starter text is short and plain, for the newsroom to rewrite; each page
starts at version 1 with its first history record, so the terms a reader
accepts at sign-up can always be read again. Editors may change (not add or
delete) the pages.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.utils import timezone

EDITORS = "المحررون"
EDITOR_PERMISSIONS = ["change_sitepage", "view_sitepage", "view_historicalsitepage"]

PAGES = {
    "about": {
        "title": "من نحن",
        "body": (
            "<p>نحن موقع إخباري عربي مستقل، ننقل أخبار العالم العربي والعالم "
            "لحظة بلحظة: السياسة والاقتصاد والرياضة والثقافة، ومقالات الرأي.</p>"
            "<h2>ما نلتزم به</h2>"
            "<ul>"
            "<li><strong>الدقة:</strong> نتحقق من المعلومة قبل نشرها، ونذكر "
            "مصادرنا كلما استطعنا.</li>"
            "<li><strong>الاستقلال:</strong> لا يقرر ما ننشره معلن ولا جهة "
            "سياسية.</li>"
            "<li><strong>الفصل بين الخبر والرأي:</strong> مقالات الرأي موسومة "
            "بذلك وتعبّر عن كتّابها.</li>"
            "<li><strong>الشفافية:</strong> حين نخطئ نصحّح علنًا، كما تشرح "
            "<a href=\"/corrections-policy/\">سياسة التصحيحات</a>.</li>"
            "</ul>"
            "<p>لأي سؤال أو ملاحظة، تجد طرق التواصل معنا في صفحة "
            "<a href=\"/contact/\">اتصل بنا</a>.</p>"
        ),
        "title_en": "About us",
        "body_en": (
            "<p>We are an independent Arabic news site covering the Arab world "
            "and the world as it happens: politics, business, sport, culture "
            "and opinion.</p>"
            "<h2>What we stand by</h2>"
            "<ul>"
            "<li><strong>Accuracy:</strong> we check before we publish, and "
            "name our sources whenever we can.</li>"
            "<li><strong>Independence:</strong> no advertiser or political "
            "body decides what we publish.</li>"
            "<li><strong>News apart from opinion:</strong> opinion pieces are "
            "labelled as such and speak for their writers.</li>"
            "<li><strong>Openness:</strong> when we get something wrong we "
            "correct it in public, as our "
            "<a href=\"/en/corrections-policy/\">corrections policy</a> "
            "explains.</li>"
            "</ul>"
            "<p>For questions or comments, see how to "
            "<a href=\"/en/contact/\">contact us</a>.</p>"
        ),
    },
    "contact": {
        "title": "اتصل بنا",
        "body": (
            "<p>يسعدنا أن نسمع منك. اختر العنوان الأنسب لرسالتك لتصل إلى من "
            "يجيب عنها:</p>"
            "<ul>"
            "<li><strong>غرفة الأخبار</strong> (خبر أو معلومة أو صورة لديك): "
            "<a href=\"mailto:newsroom@example.com\">newsroom@example.com</a></li>"
            "<li><strong>التصحيحات</strong> (خطأ في مقال منشور): "
            "<a href=\"mailto:corrections@example.com\">corrections@example.com</a>"
            "</li>"
            "<li><strong>الخصوصية والحسابات</strong> (بياناتك وحسابك): "
            "<a href=\"mailto:privacy@example.com\">privacy@example.com</a></li>"
            "<li><strong>الإعلان والشراكات</strong>: "
            "<a href=\"mailto:ads@example.com\">ads@example.com</a></li>"
            "</ul>"
            "<p>نقرأ كل رسالة، ونرد عادة خلال يومي عمل. إن كانت معلومتك حساسة "
            "فاذكر ذلك في رسالتك، ولا نكشف مصادرنا.</p>"
        ),
        "title_en": "Contact us",
        "body_en": (
            "<p>We are glad to hear from you. Pick the address that suits your "
            "message, so that it reaches the people who can answer it:</p>"
            "<ul>"
            "<li><strong>Newsroom</strong> (a story, a tip or a picture): "
            "<a href=\"mailto:newsroom@example.com\">newsroom@example.com</a></li>"
            "<li><strong>Corrections</strong> (an error in a published story): "
            "<a href=\"mailto:corrections@example.com\">corrections@example.com</a>"
            "</li>"
            "<li><strong>Privacy and accounts</strong> (your data and your "
            "account): "
            "<a href=\"mailto:privacy@example.com\">privacy@example.com</a></li>"
            "<li><strong>Advertising and partnerships</strong>: "
            "<a href=\"mailto:ads@example.com\">ads@example.com</a></li>"
            "</ul>"
            "<p>We read every message and usually answer within two working "
            "days. If what you send is sensitive, say so: we do not reveal our "
            "sources.</p>"
        ),
    },
    "terms": {
        "title": "شروط الاستخدام",
        "body": (
            "<p>تنظم هذه الشروط استخدامك لموقعنا ولحسابك فيه. باستخدامك الموقع "
            "أو بإنشاء حساب توافق عليها.</p>"
            "<h2>المحتوى</h2>"
            "<p>الأخبار والمقالات والصور المنشورة هنا ملك لنا أو لأصحابها. "
            "لك أن تقرأها وتشارك روابطها وتقتبس منها مقاطع قصيرة مع ذكر المصدر؛ "
            "أما إعادة نشرها كاملة فتحتاج إلى إذن مكتوب منا.</p>"
            "<h2>حسابك</h2>"
            "<ul>"
            "<li>الحساب مجاني وشخصي، يحتاج إلى بريد إلكتروني صحيح تملكه.</li>"
            "<li>أنت مسؤول عن سرية كلمة مرورك وعما يجري في حسابك.</li>"
            "<li>قد نوقف حسابًا يُستعمل للإساءة أو لمحاولة اختراق الموقع.</li>"
            "<li>لك أن تحذف حسابك متى شئت من صفحة حسابك.</li>"
            "</ul>"
            "<h2>النشرات البريدية</h2>"
            "<p>لا نرسل إليك نشرة إلا إن اخترتها وأكدت بريدك، وفي كل رسالة رابط "
            "لإلغاء الاشتراك بنقرة.</p>"
            "<h2>حدود مسؤوليتنا</h2>"
            "<p>نحرص على دقة ما ننشر ونصحح أخطاءنا علنًا، لكننا لا نتحمل "
            "مسؤولية قرارات تُبنى على الأخبار وحدها، ولا مسؤولية محتوى المواقع "
            "التي نربط إليها.</p>"
            "<h2>تعديل الشروط</h2>"
            "<p>قد نعدّل هذه الشروط، ويظهر رقم إصدارها وتاريخه أسفل الصفحة. "
            "نحفظ مع كل حساب إصدار الشروط الذي وافق عليه صاحبه، ونخبر أصحاب "
            "الحسابات بالبريد بأي تغيير جوهري.</p>"
        ),
        "title_en": "Terms of use",
        "body_en": (
            "<p>These terms govern your use of our site and of your account on "
            "it. By using the site or creating an account you accept them.</p>"
            "<h2>Content</h2>"
            "<p>The news, articles and pictures published here belong to us or "
            "to their owners. You may read them, share their links and quote "
            "short passages with credit; republishing them in full needs our "
            "written permission.</p>"
            "<h2>Your account</h2>"
            "<ul>"
            "<li>Accounts are free and personal, and need a working e-mail "
            "address of your own.</li>"
            "<li>You keep your password secret and answer for what happens in "
            "your account.</li>"
            "<li>We may suspend an account used for abuse or to attack the "
            "site.</li>"
            "<li>You may delete your account at any time from your account "
            "page.</li>"
            "</ul>"
            "<h2>Newsletters</h2>"
            "<p>We send you a newsletter only if you chose it and confirmed your "
            "address, and every message has a one-click unsubscribe link.</p>"
            "<h2>Our responsibility</h2>"
            "<p>We take care that what we publish is accurate and correct our "
            "mistakes in public, but we cannot answer for decisions based on "
            "the news alone, nor for the content of sites we link to.</p>"
            "<h2>Changes to these terms</h2>"
            "<p>We may change these terms; their version number and date appear "
            "at the foot of this page. Each account keeps the version its owner "
            "accepted, and we tell account holders by e-mail about any "
            "substantial change.</p>"
        ),
    },
    "privacy": {
        "title": "سياسة الخصوصية",
        "body": (
            "<p>نجمع أقل ما نحتاج إليه من بياناتك، ونستعمله لتشغيل حسابك وحمايته "
            "فقط. لا نبيع بياناتك ولا نعرضها على معلنين.</p>"
            "<h2>ما نحفظه</h2>"
            "<ul>"
            "<li><strong>حسابك:</strong> اسمك وبريدك الإلكتروني وتاريخ تأكيده، "
            "وكلمة مرورك مشفّرة لا يقرؤها أحد، وإصدار الشروط الذي وافقت "
            "عليه.</li>"
            "<li><strong>ما تختاره:</strong> المقالات التي تحفظها، والأقسام "
            "والوسوم والكتّاب الذين تتابعهم، والنشرات التي تشترك فيها مع سجل "
            "موافقتك عليها.</li>"
            "<li><strong>ما يلزم للحماية:</strong> نعدّ محاولات الدخول والتسجيل "
            "لكل عنوان إنترنت لوقت قصير لصدّ التخمين والإساءة، ثم تُنسى.</li>"
            "</ul>"
            "<h2>ملفات تعريف الارتباط</h2>"
            "<p>نستعمل ملف جلسة يبقيك مسجّل الدخول، وملفًا للحماية من تزوير "
            "الطلبات، وملفًا صغيرًا يخبر الصفحة أن لديك حسابًا. لا نستعمل ملفات "
            "إعلانية ولا أدوات تتبّع من جهات أخرى.</p>"
            "<h2>من يرى بياناتك</h2>"
            "<p>فريقنا حين يلزم ذلك لخدمتك، ومزوّد البريد الذي يوصل رسائلنا "
            "إليك. لا أحد غيرهم.</p>"
            "<h2>حقوقك</h2>"
            "<ul>"
            "<li>تنزيل نسخة من كل ما نحفظه عنك، من صفحة حسابك.</li>"
            "<li>تعديل اسمك وبريدك، وإلغاء أي اشتراك، متى شئت.</li>"
            "<li>حذف حسابك، فنحذف معه كل ما حفظته فيه.</li>"
            "</ul>"
            "<p>لأي سؤال عن بياناتك راسلنا كما في صفحة "
            "<a href=\"/contact/\">اتصل بنا</a>.</p>"
        ),
        "title_en": "Privacy policy",
        "body_en": (
            "<p>We collect as little of your data as we need, and use it only to "
            "run and protect your account. We do not sell your data or show it "
            "to advertisers.</p>"
            "<h2>What we keep</h2>"
            "<ul>"
            "<li><strong>Your account:</strong> your name, your e-mail address "
            "and when you confirmed it, your password in a form nobody can "
            "read, and the version of the terms you accepted.</li>"
            "<li><strong>Your choices:</strong> the articles you save, the "
            "sections, tags and writers you follow, and the newsletters you "
            "subscribe to, with the record of your consent.</li>"
            "<li><strong>What protection needs:</strong> we count sign-in and "
            "sign-up attempts per internet address for a short while, to stop "
            "guessing and abuse; then they are forgotten.</li>"
            "</ul>"
            "<h2>Cookies</h2>"
            "<p>We use a session cookie that keeps you signed in, one that "
            "protects forms against forgery, and a small one that tells pages "
            "you have an account. No advertising cookies, no third-party "
            "trackers.</p>"
            "<h2>Who sees your data</h2>"
            "<p>Our staff, when serving you needs it, and the mail provider "
            "that delivers our messages to you. Nobody else.</p>"
            "<h2>Your rights</h2>"
            "<ul>"
            "<li>Download a copy of everything we keep about you, from your "
            "account page.</li>"
            "<li>Change your name and address, and end any subscription, "
            "whenever you like.</li>"
            "<li>Delete your account, and everything kept in it with it.</li>"
            "</ul>"
            "<p>For any question about your data, write to us as shown on "
            "<a href=\"/en/contact/\">Contact us</a>.</p>"
        ),
    },
    "corrections-policy": {
        "title": "سياسة التصحيحات",
        "body": (
            "<p>نخطئ أحيانًا، وحين نخطئ نصحّح علنًا وبسرعة.</p>"
            "<ul>"
            "<li><strong>التصحيح:</strong> إن كان في مقال منشور خطأ في واقعة أو "
            "رقم أو اسم أو اقتباس، نصحّح النص ونضيف تحته ملاحظة مؤرخة تقول ما "
            "كان خطأً وما الصحيح.</li>"
            "<li><strong>ملاحظة المحرر:</strong> حين يتغير فهم القصة أو ينقصها "
            "سياق مهم، نضيف ملاحظة تشرح ما أضفناه.</li>"
            "<li><strong>لا تعديل صامتًا:</strong> لا نغيّر معلومة جوهرية دون "
            "ملاحظة؛ الأخطاء الإملائية وحدها نصلحها دون إشارة.</li>"
            "<li><strong>السحب:</strong> نادرًا ما نسحب مقالًا، وإن فعلنا "
            "فلأن خطأه لا يصلحه تصحيح، ونقول ذلك.</li>"
            "</ul>"
            "<p>تجد كل التصحيحات وملاحظات المحرر في صفحة "
            "<a href=\"/corrections/\">تصحيحات</a>، ولها خلاصة RSS. إن رأيت "
            "خطأً فأخبرنا كما في صفحة <a href=\"/contact/\">اتصل بنا</a>.</p>"
        ),
        "title_en": "Corrections policy",
        "body_en": (
            "<p>We sometimes get things wrong, and when we do we correct them "
            "in public, quickly.</p>"
            "<ul>"
            "<li><strong>Corrections:</strong> when a published story has a "
            "wrong fact, figure, name or quotation, we correct the text and add "
            "a dated note below it saying what was wrong and what is right.</li>"
            "<li><strong>Editor's notes:</strong> when the understanding of a "
            "story changes or it lacked important context, we add a note "
            "explaining what we added.</li>"
            "<li><strong>No silent changes:</strong> we never change a "
            "substantial fact without a note; only typing errors are fixed "
            "without one.</li>"
            "<li><strong>Withdrawals:</strong> we rarely withdraw a story; when "
            "we do, it is because no correction could mend it, and we say "
            "so.</li>"
            "</ul>"
            "<p>Every correction and editor's note is listed on "
            "<a href=\"/en/corrections/\">Corrections</a>, which has an RSS "
            "feed. If you spot an error, tell us as shown on "
            "<a href=\"/en/contact/\">Contact us</a>.</p>"
        ),
    },
}


def create_pages(apps, schema_editor):
    SitePage = apps.get_model("articles", "SitePage")
    HistoricalSitePage = apps.get_model("articles", "HistoricalSitePage")
    now = timezone.now()
    for slug, text in PAGES.items():
        page, created = SitePage.objects.get_or_create(slug=slug, defaults=text)
        if created:
            HistoricalSitePage.objects.create(
                id=page.pk,
                slug=slug,
                **text,
                version=page.version,
                updated_at=page.updated_at,
                history_date=now,
                history_type="+",
            )


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles", codename__in=EDITOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0014_private_originals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SitePage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(choices=[('about', 'من نحن'), ('contact', 'اتصل بنا'), ('terms', 'شروط الاستخدام'), ('privacy', 'سياسة الخصوصية'), ('corrections-policy', 'سياسة التصحيحات')], help_text='رابطها ثابت: الروابط في أسفل كل صفحة تشير إليه.', max_length=40, unique=True, verbose_name='الصفحة')),
                ('title', models.CharField(max_length=200, verbose_name='عنوان الصفحة')),
                ('body', models.TextField(verbose_name='النص')),
                ('title_en', models.CharField(blank=True, help_text='تظهر الصفحة بالعربية في الواجهة الإنجليزية إن تُرك فارغًا.', max_length=200, verbose_name='عنوان الصفحة بالإنجليزية')),
                ('body_en', models.TextField(blank=True, verbose_name='النص بالإنجليزية')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='الإصدار')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='آخر تعديل')),
            ],
            options={
                'verbose_name': 'صفحة تعريفية',
                'verbose_name_plural': 'الصفحات التعريفية',
                'ordering': ['slug'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalSitePage',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('slug', models.SlugField(choices=[('about', 'من نحن'), ('contact', 'اتصل بنا'), ('terms', 'شروط الاستخدام'), ('privacy', 'سياسة الخصوصية'), ('corrections-policy', 'سياسة التصحيحات')], help_text='رابطها ثابت: الروابط في أسفل كل صفحة تشير إليه.', max_length=40, verbose_name='الصفحة')),
                ('title', models.CharField(max_length=200, verbose_name='عنوان الصفحة')),
                ('body', models.TextField(verbose_name='النص')),
                ('title_en', models.CharField(blank=True, help_text='تظهر الصفحة بالعربية في الواجهة الإنجليزية إن تُرك فارغًا.', max_length=200, verbose_name='عنوان الصفحة بالإنجليزية')),
                ('body_en', models.TextField(blank=True, verbose_name='النص بالإنجليزية')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='الإصدار')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='آخر تعديل')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical صفحة تعريفية',
                'verbose_name_plural': 'historical الصفحات التعريفية',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(create_pages, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
