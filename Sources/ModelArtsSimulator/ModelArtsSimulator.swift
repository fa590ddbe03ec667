// The ModelArtsSimulator module. See DESIGN §1.
