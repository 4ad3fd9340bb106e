from django.urls import path

from followup.views import manager as views

app_name = "followup"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mal/<int:pk>/", views.target_detail, name="target"),
    path("<int:promise_pk>/T<int:tertial>/godkann/", views.approve, name="approve"),
    path("<int:promise_pk>/T<int:tertial>/rapport/", views.report_page, name="report"),
    path("<int:promise_pk>/T<int:tertial>/rapport/pdf/", views.report_pdf, name="report_pdf"),
]
