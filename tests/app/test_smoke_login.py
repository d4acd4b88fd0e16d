from app.models import Role


def test_login_page_is_vietnamese(client):
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert "Đăng nhập" in response.get_data(as_text=True)


def test_login_and_home(client, login_as):
    user = login_as(Role.commune, "02020")
    page = client.get("/home").get_data(as_text=True)
    assert "Xã Chợ Đồn" in page and user.username in page
