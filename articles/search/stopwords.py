"""Arabic stop words, removed in Python before text reaches the search index.

PostgreSQL ships no Arabic stop-word file (`$SHAREDIR/tsearch_data` has no
`arabic.stop`), and a text-search dictionary can only read stop words from a
file in that directory, which a managed database does not let us write. So
the list lives here and the analyser (`analysis.is_stop_word`) drops these
words from the stored document and from the query alike. The words are
written as people write them; the analyser folds them with `normalize`, so
every spelling variant is covered.
"""

_WORDS = """
في فى من إلى الى على عن مع منذ حتى عند لدى لدي بين بعد قبل خلال ضد نحو حول دون
عبر تحت فوق أمام امام وراء لـ ب ك ل و ف ثم أو او أم ام بل لكن لكنّ غير سوى إلا الا
أن إن أنّ إنّ ان كان كانت يكون تكون كانوا ليس ليست لم لن لا ما ماذا لماذا كيف أين
متى هل قد لقد سوف إذ إذا اذا لو لولا كي كما مثل أي أيّ كل كلّ بعض جميع عدة عدد
هذا هذه هذان هاتان هؤلاء ذلك تلك أولئك هنا هناك هنالك الذي التي الذين اللذان
اللتان اللواتي اللاتي من ما هو هي هم هن هما أنا انا نحن أنت انت أنتم انتم أنتن
له لها لهم لهن لهما به بها بهم بهن فيه فيها فيهم منه منها منهم عليه عليها عليهم
إليه إليها إليهم عنه عنها عنهم معه معها معهم وفي ومن وعلى وإلى وعن ومع وأن وإن
ولا وما وهو وهي وقد وكان وكانت وذلك وهذا وهذه التي والتي والذي أيضا أيضاً ايضا
حيث بينما عندما بينهم بينها كذلك لذلك ذات ذو إنه انه أنه إنها انها أنها
""".split()

ARABIC_STOP_WORDS = frozenset(_WORDS)
