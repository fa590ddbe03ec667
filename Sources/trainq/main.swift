print("trainq: not built yet")
