from django.urls import path

from promises import views

urlpatterns = [
    path("start/", views.home, name="home"),
    path("registrera/", views.activity_log_choose, name="activity_log_choose"),
    path("registrera/<slug:code>/", views.activity_log, name="activity_log"),
    path("registreringar/", views.activity_list, name="activity_list"),
    path("registreringar/<int:pk>/sparad/", views.activity_saved, name="activity_saved"),
    path("registreringar/<int:pk>/andra/", views.activity_edit, name="activity_edit"),
    path("registreringar/<int:pk>/ta-bort/", views.activity_delete_view, name="activity_delete"),
    path("import/", views.activity_import, name="activity_import"),
    path("import/bekrafta/", views.activity_import_confirm, name="activity_import_confirm"),
    path("import/felaktiga-rader/<str:token>/", views.activity_import_bad_rows, name="activity_import_bad_rows"),
    path("import/importmall.csv", views.activity_import_template, name="activity_import_template"),
    path("registreringar/<int:pk>/historik/", views.activity_history, name="activity_history"),
]
