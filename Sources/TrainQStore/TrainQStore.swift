// The TrainQStore module. See DESIGN §1.
