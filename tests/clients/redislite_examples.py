"""Seed 000's (RedisLite) README example in Python, unchanged but for base_url, plus checks
of what it printed. Reads LITEKV_URL."""

import os

import requests

base_url = os.environ["LITEKV_URL"]

# Set a key
response = requests.post(f"{base_url}/api/set", json={
    "key": "session:abc123",
    "value": {"user_id": 1, "role": "admin"},
    "ttl": 3600
})
print(response.json())
assert response.json() == {"success": True, "key": "session:abc123", "ttl": 3600, "message": "Key set successfully"}

# Get a key
response = requests.get(f"{base_url}/api/get", params={"key": "session:abc123"})
print(response.json())
assert response.json() == {"key": "session:abc123", "value": {"user_id": 1, "role": "admin"}, "exists": True}
