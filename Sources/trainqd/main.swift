print("trainqd: not built yet")
