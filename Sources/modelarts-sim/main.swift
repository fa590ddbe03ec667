print("modelarts-sim: not built yet")
