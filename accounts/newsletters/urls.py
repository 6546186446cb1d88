app_name = "newsletters"

# Filled by the newsletters issue: /account/newsletters/ and
# /newsletters/unsubscribe/<token>/.
urlpatterns: list = []
