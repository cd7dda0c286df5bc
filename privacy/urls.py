"""URLs for downloading one's data and closing one's account."""

from django.urls import path

from privacy import views

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export.zip", views.my_data_export, name="my_data_export"),
    path("my-data/close/", views.close_account, name="close_account"),
    path("my-data/closed/", views.account_closed, name="account_closed"),
]
